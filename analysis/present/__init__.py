"""What the notebooks show: words in zh/en (labels), figures and tables per notebook, the self-contained HTML page."""
