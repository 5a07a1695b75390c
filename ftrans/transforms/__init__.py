"""Transformations of jaxprs: each interprets a jaxpr equation by equation with one rule per
primitive, taken from the primitive itself. No primitive is named here."""
