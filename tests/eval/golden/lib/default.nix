{ answer = 42; double = x: x * 2; }
