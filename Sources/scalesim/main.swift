import ScaleSim
print("scalesim")
