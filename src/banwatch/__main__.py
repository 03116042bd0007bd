from banwatch.cli import app

app(prog_name="banwatch")
