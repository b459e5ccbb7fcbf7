"""The bilan (حصيلة): the council's results report in French and Arabic, built from the published marts.

queries/ holds one SQL file per figure over the scope of queries/_scope.sql; figures.py lists them in
report order; build.py runs them, renders the editions (templates/) and writes HTML and PDF:
fonts.py cuts the fonts the HTML files carry (kept in a cache), pdf.py lays out each PDF in a
process of its own."""
