"""The demo and benchmark data sets: invented councils, providers, log-ins and service users.

`seed_demo` builds a small, fixed world through the product's own services, so the demo can only
contain states the product itself can reach. `seed_scale` builds a council-sized data set for the
benchmarks, bulk-loading the service users. Both can be run again safely: what exists is kept.

Every name, address and number here is invented; phone numbers come from Ofcom's ranges reserved
for drama, NHS numbers from the 999 range that is never issued.

The top layer with `home`: it may import every app, and nothing imports it but tests and the
benchmark (`bench/`)."""
