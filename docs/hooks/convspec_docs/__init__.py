"""Build-time helpers of convspec's documentation (used by the hooks beside it).

``texmath``   TeX to MathML, skipping code.
``registry``  the ``<!-- convspec:NAME -->`` marker generators.
``figures``   the SVG figures, drawn by plain Python.
"""
