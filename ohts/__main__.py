from ohts.cli import main

main()
