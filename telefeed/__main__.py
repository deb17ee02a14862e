from telefeed.cli import main

main()
