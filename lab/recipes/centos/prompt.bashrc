
# CentOS's prompt, appended by the lab recipe: [root@<hostname> /]#
PS1='[\u@\h \W]\$ '
