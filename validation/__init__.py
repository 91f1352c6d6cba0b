"""Great Expectations drift checks between two builds of the marts (`make validate`).

`drift`: the distribution figures of a build, and the expectations that they stay near a
baseline's (the last publication or the last validated build). Rules themselves are proven by
dbt's unit and data tests, not here: see CONTRIBUTING.md for which check goes where.
"""
