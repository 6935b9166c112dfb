builtins.abort "configuration is broken"
