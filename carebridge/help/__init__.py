"""Help: the guidance for every page, the glossary, what's new, and what each council adds."""
