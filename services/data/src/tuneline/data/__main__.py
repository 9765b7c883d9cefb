"""python -m tuneline.data: run the data service."""

from tuneline.common.app import serve
from tuneline.common.settings import load_settings
from tuneline.data.app import create_app
from tuneline.data.settings import DataSettings

if __name__ == "__main__":
    settings = load_settings(DataSettings)
    serve(lambda: create_app(settings), settings)
