"""cnnlib: the tested helper package of the book *Convolutional Neural Networks, Executable*.

Each module holds one concern; import the one you need, for example
``from cnnlib import ops, kernels, viz``. Importing ``cnnlib`` itself is cheap: only the modules
that need TensorFlow import it.
"""

__version__ = "0.1.0"
