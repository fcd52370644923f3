"""jgssl side by side with PyTorch peers (GRACE, DGI, BGRL on Cora); see ``run.py``."""
