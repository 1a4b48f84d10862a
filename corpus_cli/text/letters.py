"""Letters that both the normalizer (``normalize``) and the Uthmani rules (``uthmani``)
work with, kept apart so that neither module imports the other to get them."""

TATWEEL = "\u0640"
#: Alef with hamza or madda, alef wasla and the wavy-hamza alefs: each folds to ا.
ALEF_FOLD = dict.fromkeys("\u0622\u0623\u0625\u0671\u0672\u0673", "\u0627")
