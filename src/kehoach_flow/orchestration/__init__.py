"""Orchestration: what the scheduled flows do, as plain functions (daily.py), the schedules read
from deploy/prefect.yaml (schedules.py), the embedded service (service.py) and the simulator."""
