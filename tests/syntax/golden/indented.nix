x: ''
    first
      second ${x}
    ''${escaped} ''' ''\n
  ''
