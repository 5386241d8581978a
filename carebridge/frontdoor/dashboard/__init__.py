"""The council's view of its front door: the weekly figures its reports show, and the feedback
people gave."""
