"""Scaling on live sessions, shared by the worker pool and custom agents: the pure decision
(:mod:`.decisions`), reading sessions from workers' metrics (:mod:`.scrape`), and measuring a
Deployment's pods and marking their deletion cost (:mod:`.pods`)."""
