"""python -m tuneline.intake: run the intake service."""

from tuneline.common.app import serve
from tuneline.common.settings import load_settings
from tuneline.intake.app import create_app
from tuneline.intake.settings import IntakeSettings

settings = load_settings(IntakeSettings)
serve(lambda: create_app(settings), settings)
