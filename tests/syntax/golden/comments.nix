/* block */ 1 # line
