"""`lawfactory check`: will a recipe parse, fit in GPU memory and find its data, before a GPU is rented."""
