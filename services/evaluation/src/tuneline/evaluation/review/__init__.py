"""Human review: blind side-by-side sampling, ratings, agreement, aggregates and the review policy."""
