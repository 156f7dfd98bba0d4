"""Training with LLaMA-Factory: `lawfactory train` (run.py) and the live sentencing metrics it adds
(live_metrics.py, callback.py, generate.py) and `lawfactory predict` (predict.py)."""
