"""The generated report: facts computed from the metrics records and params, verdicts over them,
and the Markdown template (``template.md``) they fill."""
