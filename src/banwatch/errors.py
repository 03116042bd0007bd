"""The one error type for bad input: it names what and where, and the CLI turns it
into a single line and exit code 2."""


class BadInput(ValueError):
    def __init__(self, where: str, problem: str):
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}")
