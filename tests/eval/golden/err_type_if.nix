let cond = "yes"; in if cond then 1 else 2
