"""Carebridge: the provider portal between English councils' adult social care and home-care providers."""
