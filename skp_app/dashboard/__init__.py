"""Dashboards and reports: what each role looks at first, monitoring, workload analysis, merit
mapping, official PDF documents and XLSX exports."""
