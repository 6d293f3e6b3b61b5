"""/healthz: is every dependency up?"""
