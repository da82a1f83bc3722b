// placeholder
print("router")
