"""The SPARQL endpoint: SPARQL 1.1 Protocol over the graph, safe by default.

`il2kg.server.app.create_app(store, settings)` builds the web application.
"""
