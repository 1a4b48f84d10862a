"""``python -m corpus_cli``."""

from .launch import main

if __name__ == "__main__":  # not when a worker process (Dask, multiprocessing) imports it
    main()
