"""The parts MonitoringStack is composed of: configuration, Prometheus, Grafana, the monitoring
load balancer and the critical alarms (see monitoring_stack.py for why they are built in the
stack's own scope)."""
