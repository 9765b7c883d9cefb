"""`python -m tuneline.training`: HTTP API and consumers (workers: `python -m tuneline.training.worker`)."""

from tuneline.common.app import serve
from tuneline.common.settings import load_settings
from tuneline.training.app import create_app
from tuneline.training.settings import TrainingSettings


def main() -> None:
    settings = load_settings(TrainingSettings)
    serve(lambda: create_app(settings), settings)


if __name__ == "__main__":
    main()
