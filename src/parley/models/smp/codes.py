"""Integer codes of KTAB's vote rules and big-R adjustments, shared by the numpy and compiled kernels."""

RULES = {"Proportional": 0, "Binary": 1, "PropBin": 2, "PropCbc": 3, "Cubic": 4, "ASymProsp": 5}
ADJUST = {"None": 0, "OneThird": 1, "Half": 2, "TwoThirds": 3, "Full": 4}
