"""`diemcau simulate`: a rehearsal workshop driven against a running server, with throughput and latency figures."""
