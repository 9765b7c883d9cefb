"""python -m tuneline.monitoring"""

from tuneline.common.app import serve
from tuneline.common.settings import load_settings
from tuneline.monitoring.app import create_app
from tuneline.monitoring.settings import MonitoringSettings

settings = load_settings(MonitoringSettings)
serve(lambda: create_app(settings), settings)
