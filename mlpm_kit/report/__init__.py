"""The scorecard's data and HTML, the charts, notebook execution and the PDF."""
