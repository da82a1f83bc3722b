// placeholder
print("announcer")
