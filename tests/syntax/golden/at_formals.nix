{ a }@args: a
