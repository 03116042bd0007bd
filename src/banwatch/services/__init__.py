"""The operations a running banwatch offers, over a store, a screener and the
catalog, for every front end alike (the CLI, the Python library, the HTTP
service, a distributed engine): loading and updating lists, screening a
batch of rows."""
