"""Orchestration: what each scheduled flow does, as plain functions on an AppContext (one module
per flow beside flows/<flow>.py), the schedules read from deploy/prefect.yaml (schedules.py),
the embedded service (service.py) and the simulator."""
