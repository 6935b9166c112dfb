https://example.org/a?b=c&d=e
