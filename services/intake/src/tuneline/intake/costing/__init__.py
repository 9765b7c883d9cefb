"""Cost and ROI estimates: training, inference, value of time saved, payback, prompting comparison."""
