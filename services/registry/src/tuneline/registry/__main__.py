"""Run the registry service: python -m tuneline.registry"""

from tuneline.common.app import serve
from tuneline.common.settings import load_settings
from tuneline.registry.app import create_app
from tuneline.registry.settings import RegistrySettings

if __name__ == "__main__":
    settings = load_settings(RegistrySettings)
    serve(lambda: create_app(settings), settings)
