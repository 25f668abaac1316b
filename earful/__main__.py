from earful.cli import main

raise SystemExit(main())
