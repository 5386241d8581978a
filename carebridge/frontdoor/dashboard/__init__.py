"""The council's view of its front door: the dashboard's figures week by week, and the feedback
people gave."""
