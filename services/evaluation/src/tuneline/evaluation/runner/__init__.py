"""The evaluation runner: loads base + adapter once and evaluates both side by side.

Nothing here imports torch/transformers/peft at package import; they are imported inside the functions
that need them so the REST service can import the package fast.
"""
