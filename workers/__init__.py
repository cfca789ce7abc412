"""rq job functions and the worker. Each job takes ids, re-reads its rows and is safe to run twice."""
