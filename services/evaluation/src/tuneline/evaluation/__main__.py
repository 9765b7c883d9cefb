"""`python -m tuneline.evaluation`: HTTP API and consumers (runners: `python -m tuneline.evaluation.runner`)."""

from tuneline.common.app import serve
from tuneline.common.settings import load_settings
from tuneline.evaluation.app import create_app
from tuneline.evaluation.settings import EvaluationSettings


def main() -> None:
    settings = load_settings(EvaluationSettings)
    serve(lambda: create_app(settings), settings)


if __name__ == "__main__":
    main()
