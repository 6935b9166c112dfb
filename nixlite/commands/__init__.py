"""One module per `nixlite` subcommand: `add_arguments(parser)` and `run(args)`."""
