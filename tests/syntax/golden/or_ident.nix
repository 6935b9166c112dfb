map or [ 1 ]
